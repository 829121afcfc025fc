"""The catalogue's API endpoints as the API tests walk them."""

from resources import models

# endpoint -> (model, detail key in the catalogue fixture, lookup attribute, create body, change body)
RESOURCES = {
    "topics": (
        models.Topic,
        "topic",
        "slug",
        lambda c: {"slug": "rlhf", "name_en": "RLHF"},
        {"name_en": "T"},
    ),
    "conferences": (
        models.ConferenceSeries,
        "series",
        "slug",
        lambda c: {"short_name": "ICLR", "full_name": "Learning Representations", "topics": ["transformers"]},
        {"full_name": "Neural Information Processing Systems"},
    ),
    "editions": (
        models.ConferenceEdition,
        "edition",
        "pk",
        lambda c: {"series": "neurips", "year": 2027, "city": "Montréal"},
        {"city": "Paris"},
    ),
    "deadlines": (
        models.Deadline,
        "deadline",
        "pk",
        lambda c: {
            "edition": c["edition"].pk,
            "kind": "abstract",
            "label": "Abstract",
            "at": "2026-05-01T12:00:00Z",
        },
        {"label": "Full paper (extended)"},
    ),
    "courses": (
        models.Course,
        "course",
        "slug",
        lambda c: {
            "title": "Transformers from Scratch",
            "provider": "fast.ai",
            "url": "https://course.fast.ai/",
        },
        {"duration": "6 weeks"},
    ),
    "books": (
        models.Book,
        "book",
        "slug",
        lambda c: {"title": "Speech and Language", "authors": ["D. Jurafsky"]},
        {"publisher": "Pearson"},
    ),
    "papers": (
        models.Paper,
        "paper",
        "slug",
        lambda c: {
            "title": "BERT",
            "authors": ["Jacob Devlin"],
            "arxiv_id": "1810.04805",
            "topics": ["transformers"],
        },
        {"venue": "NAACL"},
    ),
    "communities": (
        models.Community,
        "community",
        "slug",
        lambda c: {
            "name": "r/MachineLearning",
            "kind": "social",
            "url": "https://www.reddit.com/r/MachineLearning/",
        },
        {"language": "zh"},
    ),
}
