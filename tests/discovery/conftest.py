"""A handful of catalogue items with real embeddings from the packaged MiniLM model (loaded once
per session; never mocked: these tests claim semantic behaviour)."""

import pytest

from resources import embeddings, semantic
from tests import factories


@pytest.fixture(scope="session")
def discovery_encoder():
    embeddings.reset()
    embeddings.encode(["warm up"])
    return embeddings


@pytest.fixture
def discovery_index_fresh():
    """No index of an earlier test's rows survives into this one (or out of it)."""
    semantic.forget_index()
    semantic.bump_version()
    yield
    semantic.forget_index()
    semantic.bump_version()


PAPERS = {
    "diffusion": (
        "Denoising Diffusion Probabilistic Models",
        "Generates images by learning to reverse a gradual noising process, step by step.",
        "逐步去噪生成图像的扩散模型。",
    ),
    "dropout": (
        "Dropout: A Simple Way to Prevent Neural Networks from Overfitting",
        "Randomly omitting units during training stops co-adaptation and reduces overfitting.",
        "训练时随机丢弃神经元以减少过拟合。",
    ),
    "seq2seq": (
        "Sequence to Sequence Learning with Neural Networks",
        "An encoder LSTM reads a sentence in one language and a decoder LSTM writes it in another.",
        "用编码器读入句子、用解码器写出译文的序列到序列模型。",
    ),
    "resnet": (
        "Deep Residual Learning for Image Recognition",
        "Shortcut connections let very deep convolutional networks train well.",
        "残差连接让很深的卷积网络也能训练。",
    ),
}


@pytest.fixture
def discovery_catalogue(db, discovery_encoder, discovery_index_fresh):
    """Four papers, a book, a course and a tutorial on the diffusion paper, all embedded."""
    papers = {
        key: factories.PaperFactory(title=title, slug=f"disc-{key}", description_en=en, description_zh=zh)
        for key, (title, en, zh) in PAPERS.items()
    }
    book = factories.BookFactory(
        title="Speech and Language Processing",
        slug="disc-book-slp",
        description_en="A textbook on how computers handle human language, from grammars to translation.",
    )
    course = factories.CourseFactory(
        title="Computer Vision with Convolutions",
        slug="disc-course-vision",
        description_en="Recognising objects in photographs with convolutional networks.",
    )
    tutorial = factories.TutorialFactory(
        slug="disc-tutorial-diffusion",
        title_en="Drawing with noise: a hands-on diffusion walkthrough",
        summary_en="Train a tiny denoiser and watch samples emerge from noise.",
    )
    tutorial.papers.add(papers["diffusion"])
    embed_all(papers=list(papers.values()), books=[book], courses=[course], tutorials=[tutorial])
    return {"papers": papers, "book": book, "course": course, "tutorial": tutorial}


def embed_all(**by_kind):
    for kind, items in by_kind.items():
        semantic.embed(kind, items)
    semantic.bump_version()
