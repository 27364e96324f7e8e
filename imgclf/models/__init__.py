"""Models the chapters train and dissect."""

from imgclf.models.cnn import conv_bn_relu, small_cnn

__all__ = ["conv_bn_relu", "small_cnn"]
