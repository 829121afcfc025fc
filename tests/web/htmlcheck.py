"""A small HTML5 soundness check with the standard library, for the page tests.

Not a full validator: it catches what templates get wrong most often — unclosed or stray
elements, duplicate ids, labels pointing nowhere, form controls without a name for screen
readers, images without alt, missing landmarks or a page without exactly one <h1>.
"""

from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# Elements whose end tag HTML lets the parser infer.
OPTIONAL_END = {"li", "p", "option", "tr", "td", "th", "thead", "tbody", "dt", "dd"}
LABELLED = {"input", "select", "textarea"}
NOT_LABELLED_TYPES = {"hidden", "submit", "button", "reset", "image"}


class _Checker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.errors: list[str] = []
        self.stack: list[str] = []
        self.ids: set[str] = set()
        self.label_for: list[str] = []
        self.controls: list[tuple[str, dict]] = []
        self.label_depth = 0
        self.counts: dict[str, int] = {}
        self.doctype = False

    def handle_decl(self, decl):
        self.doctype = self.doctype or decl.lower() == "doctype html"

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.counts[tag] = self.counts.get(tag, 0) + 1
        if "id" in attributes:
            if attributes["id"] in self.ids:
                self.errors.append(f"duplicate id {attributes['id']!r}")
            self.ids.add(attributes["id"])
        if tag == "label":
            self.label_depth += 1
            if attributes.get("for"):
                self.label_for.append(attributes["for"])
        labelled = self.label_depth or attributes.get("aria-label") or attributes.get("aria-labelledby")
        if tag in LABELLED and attributes.get("type") not in NOT_LABELLED_TYPES and not labelled:
            self.controls.append((tag, attributes))
        if tag == "img" and "alt" not in attributes:
            self.errors.append("img without alt")
        if tag == "a" and not attributes.get("href"):
            self.errors.append("a without href")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in VOID:
            self.errors.append(f"end tag for void element </{tag}>")
            return
        if tag == "label":
            self.label_depth -= 1
        while self.stack and self.stack[-1] != tag and self.stack[-1] in OPTIONAL_END:
            self.stack.pop()
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"stray </{tag}> (open: {self.stack[-3:]})")
            return
        self.stack.pop()

    def finish(self) -> list[str]:
        self.close()
        open_tags = [t for t in self.stack if t not in OPTIONAL_END]
        if open_tags:
            self.errors.append(f"unclosed elements {open_tags}")
        if not self.doctype:
            self.errors.append("no <!doctype html>")
        for target in self.label_for:
            if target not in self.ids:
                self.errors.append(f"label for missing id {target!r}")
        for tag, attributes in self.controls:
            if attributes.get("id") not in self.label_for:
                self.errors.append(f"<{tag} name={attributes.get('name')!r}> has no label")
        if self.counts.get("h1", 0) != 1:
            self.errors.append(f"{self.counts.get('h1', 0)} <h1> elements")
        for landmark in ("main", "header", "footer"):
            if self.counts.get(landmark, 0) < 1:
                self.errors.append(f"no <{landmark}>")
        return self.errors


def check_html(html: str) -> list[str]:
    checker = _Checker()
    checker.feed(html)
    return checker.finish()
