"""Tutorial bodies: Markdown with math and fenced code, rendered to safe HTML.

markdown-it-py parses CommonMark with raw HTML switched off; ``$…$`` and ``$$…$$`` become
MathML on the server (latex2mathml), so formulas render as math in any current browser with
no script; fenced code is highlighted by Pygments. Whatever comes out is then cleaned by nh3
against an allow-list, so even a bug in a plugin cannot let a script, an event handler, a
``javascript:`` URL or a style attribute through.
"""

import html

import nh3
from latex2mathml.converter import convert as latex_to_mathml
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import TextLexer, get_lexer_by_name
from pygments.util import ClassNotFound

_MATHML_TAGS = {
    "math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "msub", "msup", "msubsup", "mfrac",
    "msqrt", "mroot", "mover", "munder", "munderover", "mtable", "mtr", "mtd", "mstyle", "mpadded",
    "mphantom", "menclose", "semantics", "annotation",
}  # fmt: skip
_HTML_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "code", "pre",
    "blockquote", "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td", "span", "div",
}  # fmt: skip
_MATH_ATTRS = {"display", "mathvariant", "stretchy", "fence", "separator", "accent", "columnalign", "lspace"}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "span": {"class"},
    "div": {"class"},
    "code": {"class"},
    "pre": {"class"},
    "th": {"align"},
    "td": {"align"},
    **{tag: set(_MATH_ATTRS) for tag in _MATHML_TAGS},
    "annotation": {"encoding"},
}
_FORMATTER = HtmlFormatter(nowrap=True)


def _highlight(code: str, lang: str, _attrs) -> str:
    try:
        lexer = get_lexer_by_name(lang) if lang else TextLexer()
    except ClassNotFound:
        lexer = TextLexer()
    body = highlight(code, lexer, _FORMATTER)
    return f'<pre class="highlight"><code class="language-{html.escape(lang or "text")}">{body}</code></pre>'


def _math(tex: str, display: bool) -> str:
    try:
        mathml = latex_to_mathml(tex, display="block" if display else "inline")
    except Exception:
        # Unparseable TeX is shown as written rather than breaking the page.
        return f'<code class="math-error">{html.escape(tex)}</code>'
    return f'<div class="math-block">{mathml}</div>' if display else mathml


def _build() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "highlight": _highlight})
    md.enable("table").enable("strikethrough")
    md.use(dollarmath_plugin, allow_space=True, double_inline=True)
    md.add_render_rule(
        "math_inline", lambda self, tokens, idx, options, env: _math(tokens[idx].content, False)
    )
    md.add_render_rule(
        "math_inline_double", lambda self, tokens, idx, options, env: _math(tokens[idx].content, True)
    )
    md.add_render_rule("math_block", lambda self, tokens, idx, options, env: _math(tokens[idx].content, True))
    md.add_render_rule(
        "math_block_label", lambda self, tokens, idx, options, env: _math(tokens[idx].content, True)
    )
    return md


_MD = _build()


def render_markdown(text: str) -> str:
    """Markdown (with math and code) → HTML that is safe to mark safe in a template."""
    raw = _MD.render(text or "")
    return nh3.clean(
        raw,
        tags=_HTML_TAGS | _MATHML_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
