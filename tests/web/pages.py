"""The site's pages, each with the text it must show, for the catalogue fixture of tests/web."""


def page_urls(c):
    return {
        "home": ("/", [c.paper.title, c.upcoming.edition.series.short_name, c.topic.name_en]),
        "search": ("/search/?q=attention", ["<mark>Attention</mark> Is All You Need"]),
        "deadlines": ("/deadlines/", ["NeurIPS", "AoE", "UTC"]),
        "past deadlines": ("/deadlines/?when=past", ["NeurIPS 2017"]),
        "conferences": ("/conferences/", ["NeurIPS", "CCF A"]),
        "conference": (
            "/conferences/neurips/",
            ["Conference on Neural Information Processing Systems", "20.9 %"],
        ),
        "edition": (f"/conferences/neurips/{c.past_edition.year}/", ["NeurIPS 2017", c.paper.title]),
        "papers": ("/papers/", [c.paper.title, c.cited.title]),
        "paper": ("/papers/attention-is-all-you-need/", [c.paper.title, "NeurIPS 2017", c.cited.title]),
        "books": ("/books/", [c.book.title]),
        "book": ("/books/d2l/", [c.book.title, "https://d2l.ai/"]),
        "courses": ("/courses/", [c.course.title]),
        "course": ("/courses/hf-course/", [c.course.title]),
        "communities": ("/communities/", [c.community.name]),
        "community": ("/communities/hf-forums/", [c.community.name]),
        "topics": ("/topics/", ["Transformers"]),
        "topic": ("/topics/transformers/", [c.paper.title, c.book.title, c.course.title, "NeurIPS"]),
    }
