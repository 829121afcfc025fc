"""The demos' words as a learner reads them, in the active language.

The demos (``tutorials/demos``) import nothing of Django, so their parameter names, help texts and
metric keys are plain English identifiers and sentences. The web side shows them through this
module: a label for each parameter and metric name, and the help texts listed here with
``gettext_noop`` so that ``makemessages`` extracts them. A test checks that every demo's
parameters and metrics have an entry here, so a new parameter cannot reach the Chinese pages in
English.
"""

from django.utils.translation import gettext, gettext_lazy, gettext_noop, pgettext_lazy

PARAM_LABELS = {
    "hidden_size": gettext_lazy("Hidden size"),
    "learning_rate": gettext_lazy("Learning rate"),
    "optimizer": gettext_lazy("Optimizer"),
    "epochs": gettext_lazy("Epochs"),
    "batch_size": gettext_lazy("Batch size"),
    "activation": gettext_lazy("Activation"),
    "dropout": gettext_lazy("Dropout"),
    "weight_decay": gettext_lazy("Weight decay"),
    "seed": gettext_lazy("Seed"),
    "max_length": gettext_lazy("Max length"),
    "warmup_ratio": gettext_lazy("Warm-up ratio"),
    "frozen_layers": gettext_lazy("Frozen layers"),
    "n_layer": gettext_lazy("Layers"),
    "n_head": gettext_lazy("Attention heads"),
    "n_embd": gettext_lazy("Embedding width"),
    "block_size": gettext_lazy("Context length"),
    "steps": gettext_lazy("Steps"),
    "temperature": gettext_lazy("Temperature"),
}

#: Choice values that are English words; the others (sgd, adam, relu, tanh, sigmoid, numbers)
#: are the names learners meet in code and papers, shown as they are.
CHOICE_LABELS = {
    "momentum": pgettext_lazy("optimizer", "momentum"),
}

METRIC_LABELS = {
    "loss": gettext_lazy("Loss"),
    "train_loss": gettext_lazy("Training loss"),
    "val_loss": gettext_lazy("Validation loss"),
    "val_accuracy": gettext_lazy("Validation accuracy"),
    "epoch": gettext_lazy("Epoch"),
    "step": gettext_lazy("Step"),
}

PARAM_HELP = (
    # mlp_digits
    gettext_noop("Neurons in the hidden layer"),
    gettext_noop("Step size of each weight update"),
    gettext_noop("Plain gradient descent, with momentum 0.9, or Adam"),
    gettext_noop("Passes over the training images"),
    gettext_noop("Images per weight update"),
    gettext_noop("Hidden-layer non-linearity"),
    gettext_noop("Share of hidden neurons silenced at random in training"),
    gettext_noop("L2 penalty pulling the weights towards zero"),
    gettext_noop("Fixes the split, the initial weights and the batch order"),
    # bert_finetune
    gettext_noop("Peak step size after warm-up"),
    gettext_noop("Passes over the 960 training sentences"),
    gettext_noop("Sentences per weight update"),
    gettext_noop("Longest input in word pieces; longer sentences are cut"),
    gettext_noop("Share of the steps spent raising the learning rate"),
    gettext_noop("AdamW's pull of the weights towards zero"),
    gettext_noop("Lower encoder layers left untouched (with the embeddings when above 0)"),
    gettext_noop("Fixes the new layer's weights, dropout and batch order"),
    # tiny_gpt
    gettext_noop("Transformer blocks stacked on each other"),
    gettext_noop("Attention heads in each block"),
    gettext_noop("Vector width per position"),
    gettext_noop("Characters of context the model sees"),
    gettext_noop("Peak step size of AdamW"),
    gettext_noop("Weight updates to make"),
    gettext_noop("Text snippets per weight update"),
    gettext_noop("Share of activations dropped at random in training"),
    gettext_noop("Sampling: below 1 is safer, above 1 is wilder"),
    gettext_noop("Fixes the initial weights, the snippets drawn, the samples"),
)


def param_label(name: str) -> str:
    """A parameter's label; a name not listed reads as itself, spaced and capitalised."""
    return str(PARAM_LABELS.get(name) or name.replace("_", " ").capitalize())


def param_help(text: str) -> str:
    return gettext(text) if text else ""


def choice_label(value) -> str:
    return str(CHOICE_LABELS.get(str(value), value))


def metric_label(name: str) -> str:
    return str(METRIC_LABELS.get(name) or name.replace("_", " ").capitalize())


def metric_labels() -> dict[str, str]:
    """Every metric label in the active language, for the run page's script."""
    return {key: str(label) for key, label in METRIC_LABELS.items()}
