"""The XSS corpus: markup and URLs that would run a script if a page let them through unescaped.

Every vector is a template with ``{n}``, its own number: if it ever runs, it calls
``window.__xss({n})`` (the browser test defines that function in an init script and records each
call) or ``alert({n})`` (the test records every dialog). The corpus covers the families of real
attacks: raw tags, event handlers, attribute and element breakouts, dangerous URL schemes (plain,
mixed case, entity- and percent-encoded, with embedded whitespace), ``srcdoc``, SVG and MathML
mutation XSS, CSS expressions, template-injection syntax and Markdown links and images.
"""

VECTORS = [
    # Raw tags.
    "<script>__xss({n})</script>",
    "<ScRiPt>window.__xss({n})</sCrIpT>",
    "<script src=data:text/javascript,__xss({n})></script>",
    "</title><script>__xss({n})</script>",
    "</textarea><script>__xss({n})</script>",
    "<img src=x onerror=__xss({n})>",
    "<img src=x onerror='__xss({n})'>",
    '<img src="x" onerror="&#95;&#95;xss({n})">',
    "<svg onload=__xss({n})>",
    "<svg><script>__xss({n})</script></svg>",
    "<body onload=__xss({n})>",
    "<details open ontoggle=__xss({n})>",
    "<input autofocus onfocus=__xss({n})>",
    "<video><source onerror=__xss({n})></video>",
    '<iframe srcdoc="<script>parent.__xss({n})</script>"></iframe>',
    '<iframe src="javascript:parent.__xss({n})"></iframe>',
    '<object data="javascript:__xss({n})"></object>',
    '<embed src="data:text/html,<script>parent.__xss({n})</script>">',
    # Attribute breakouts: close the attribute or the tag a value may be written into.
    '"><script>__xss({n})</script>',
    "'><img src=x onerror=__xss({n})>",
    '" onmouseover="__xss({n})" autofocus onfocus="__xss({n})" x="',
    "' onfocus='__xss({n})' autofocus='",
    "</a><img src=x onerror=__xss({n})>",
    # URL schemes, as a value that may land in an href or src.
    "javascript:__xss({n})",
    "JaVaScRiPt:__xss({n})",
    "java\tscript:__xss({n})",
    "&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;__xss({n})",
    "&#x6A;avascript&#x3A;__xss({n})",
    "javascript%3A__xss({n})",
    "data:text/html;base64,PHNjcmlwdD5wYXJlbnQuX194c3MoMSk8L3NjcmlwdD4=#{n}",
    "vbscript:__xss({n})",
    '<a href="javascript:__xss({n})" id="xss-link-{n}">link</a>',
    '<a href=" &#14;javascript:__xss({n})">link</a>',
    # CSS.
    '<div style="width:expression(__xss({n}))">x</div>',
    "<style>@import 'javascript:__xss({n})';</style>",
    '<div style="background:url(javascript:__xss({n}))">x</div>',
    # Mutation XSS through foreign content (SVG, MathML) and parser differentials.
    "<math><mtext><table><mglyph><style><img src=x onerror=__xss({n})>",
    "<svg><style><img src=x onerror=__xss({n})></style></svg>",
    '<noscript><p title="</noscript><img src=x onerror=__xss({n})>">',
    "<form><math><mtext></form><form><mglyph><style></math><img src=x onerror=__xss({n})>",
    '<svg><a xlink:href="javascript:__xss({n})"><text y="20">x</text></a></svg>',
    "<!--<img src=x onerror=__xss({n})>-->",
    # Template injection: Django, Jinja, Angular, Vue.
    "{{{{constructor.constructor('__xss({n})')()}}}}",
    "{{% debug %}}{{{{ request }}}}<img src=x onerror=__xss({n})>",
    "${{__xss({n})}}",
    # Markdown: links, images, reference links and autolinks to javascript: and data: URLs.
    "[click](javascript:__xss({n}))",
    '[click](JAVASCRIPT:__xss({n}) "t")',
    "![img](javascript:__xss({n}))",
    '![x](x" onerror="__xss({n}))',
    "[ref][r{n}]\n\n[r{n}]: javascript:__xss({n})",
    "<javascript:__xss({n})>",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "```html\n<script>__xss({n})</script>\n```",
    "$\\href{{javascript:__xss({n})}}{{x}}$",
    # Dialog-based ones, caught by the dialog listener rather than __xss.
    "<img src=x onerror=alert({n})>",
    "<svg/onload=confirm({n})>",
]


def vector(index: int) -> str:
    """Vector number ``index`` (0-based), with its number filled in."""
    return VECTORS[index].format(n=index)


def all_vectors() -> list[str]:
    return [vector(i) for i in range(len(VECTORS))]
