"""tracegrad's networks: neurons, layers and MLPs on ``autograd.Value``, and a NumPy
``Tensor`` backend with the same semantics that trains the 784-16-16-10 MNIST network.

>>> from nn import MLP
>>> MLP(784, [16, 16, 10]).num_parameters()
13002
"""

from . import init
from .convert import from_torch, to_scalar, to_torch
from .layers import Activation, Linear, Sequential, mlp
from .losses import binary_cross_entropy, cross_entropy, one_hot, quadratic_cost
from .module import ACTIVATIONS, MLP, Layer, Module, Neuron
from .optim import SGD, Adam, cosine_schedule
from .tensor import Tensor, float_array
from .training import MiniBatches, accuracy, blas_threads

__all__ = ["Module", "Neuron", "Layer", "MLP", "ACTIVATIONS", "Tensor", "Linear", "Activation",
           "Sequential", "mlp", "quadratic_cost", "cross_entropy", "binary_cross_entropy",
           "one_hot", "SGD", "Adam", "cosine_schedule", "float_array", "init", "MiniBatches",
           "accuracy", "blas_threads", "to_torch", "from_torch", "to_scalar"]
