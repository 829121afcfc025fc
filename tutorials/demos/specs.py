"""What each demo takes and wants, readable without torch: its parameters (names, kinds, bounds,
defaults, help) and its use of a GPU.

Plain Python, like everything in this folder. The web process renders launch forms, validates
launches and routes runs to a queue from these; each demo module reads its own ``PARAMS`` and
``GPU`` from here, so there is one definition; the export writes them into the script as literals.
"""

from dataclasses import dataclass

from .base import Param

#: What a demo's ``GPU`` says: it cannot train without one, it is much faster on one, or it runs
#: as well on a CPU (so it never waits in a GPU's queue).
GPU_USES = ("needs", "prefers", "accepts")


@dataclass(frozen=True)
class DemoSpec:
    gpu: str
    params: tuple[Param, ...]

    def __post_init__(self):
        if self.gpu not in GPU_USES:
            raise ValueError(f"gpu is {self.gpu!r}; expected one of {', '.join(GPU_USES)}")

    def defaults(self) -> dict:
        return {param.name: param.default for param in self.params}


SPECS: dict[str, DemoSpec] = {
    "mlp_digits": DemoSpec(
        # Trains in seconds on a CPU: a GPU would not pay for its queue.
        gpu="accepts",
        params=(
            Param("hidden_size", "int", 256, 4, 1024, help="Neurons in the hidden layer"),
            Param(
                "learning_rate",
                "float",
                0.002,
                1e-5,
                1.0,
                help="Step size of each weight update",
                log_scale=True,
            ),
            Param(
                "optimizer",
                "choice",
                "adam",
                choices=("sgd", "momentum", "adam"),
                help="Plain gradient descent, with momentum 0.9, or Adam",
            ),
            Param("epochs", "int", 15, 1, 200, help="Passes over the training images"),
            Param("batch_size", "int", 32, 1, 1024, help="Images per weight update"),
            Param(
                "activation",
                "choice",
                "relu",
                choices=("relu", "tanh", "sigmoid"),
                help="Hidden-layer non-linearity",
            ),
            Param(
                "dropout",
                "float",
                0.3,
                0.0,
                0.9,
                help="Share of hidden neurons silenced at random in training",
            ),
            Param("weight_decay", "float", 0.0, 0.0, 0.1, help="L2 penalty pulling the weights towards zero"),
            Param(
                "seed",
                "int",
                0,
                0,
                2**31 - 1,
                help="Fixes the split, the initial weights and the batch order",
            ),
        ),
    ),
    "bert_finetune": DemoSpec(
        # Several times faster on a GPU, and still fine on a CPU.
        gpu="prefers",
        params=(
            Param(
                "learning_rate",
                "float",
                1e-4,
                1e-6,
                1e-3,
                help="Peak step size after warm-up",
                log_scale=True,
            ),
            Param("epochs", "int", 2, 1, 10, help="Passes over the 960 training sentences"),
            Param("batch_size", "int", 16, 2, 64, help="Sentences per weight update"),
            Param(
                "max_length", "int", 64, 8, 128, help="Longest input in word pieces; longer sentences are cut"
            ),
            Param(
                "warmup_ratio",
                "float",
                0.1,
                0.0,
                0.5,
                help="Share of the steps spent raising the learning rate",
            ),
            Param("weight_decay", "float", 0.01, 0.0, 0.3, help="AdamW's pull of the weights towards zero"),
            Param(
                "frozen_layers",
                "int",
                0,
                0,
                6,
                help="Lower encoder layers left untouched (with the embeddings when above 0)",
            ),
            Param(
                "seed", "int", 0, 0, 2**31 - 1, help="Fixes the new layer's weights, dropout and batch order"
            ),
        ),
    ),
    "tiny_gpt": DemoSpec(
        # Several times faster on a GPU, and still fine on a CPU.
        gpu="prefers",
        # Upper bounds keep the largest model a learner can ask for within a few GB of memory.
        params=(
            Param("n_layer", "int", 4, 1, 8, help="Transformer blocks stacked on each other"),
            Param("n_head", "choice", 4, choices=(1, 2, 4, 8), help="Attention heads in each block"),
            Param(
                "n_embd", "choice", 128, choices=(32, 64, 96, 128, 192, 256), help="Vector width per position"
            ),
            Param("block_size", "int", 64, 8, 128, help="Characters of context the model sees"),
            Param("learning_rate", "float", 2e-3, 1e-5, 1e-2, help="Peak step size of AdamW", log_scale=True),
            Param("steps", "int", 600, 10, 5000, help="Weight updates to make"),
            Param("batch_size", "int", 16, 1, 64, help="Text snippets per weight update"),
            Param(
                "dropout", "float", 0.0, 0.0, 0.5, help="Share of activations dropped at random in training"
            ),
            Param(
                "temperature", "float", 0.8, 0.1, 2.0, help="Sampling: below 1 is safer, above 1 is wilder"
            ),
            Param(
                "seed",
                "int",
                0,
                0,
                2**31 - 1,
                help="Fixes the initial weights, the snippets drawn, the samples",
            ),
        ),
    ),
}
