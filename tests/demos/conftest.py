"""Run the demo tests on one PyTorch intra-op thread.

PyTorch's OpenMP threads spin while they wait for one another. On a 2-core machine that other
processes keep busy (a CI box, a developer's laptop) that makes a small training five to twenty
times slower; on an idle one, a single thread costs well under a factor of two. So these tests
take one thread, in this process and in the scripts they start (``helpers.child_env``); the demos
themselves leave the setting alone.
"""

import pytest


@pytest.fixture(autouse=True, scope="package")
def one_intra_op_thread():
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
