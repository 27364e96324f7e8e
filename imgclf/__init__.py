"""imgclf: the tested Keras code behind the course "Image classification with deep CNNs".

Backend-neutral: it imports `keras` (never `tensorflow`) and only where a function needs it.
"""

from imgclf import data, profiles

__version__ = "0.1.1"
REPOSITORY = "https://github.com/imgclf/imgclf"

__all__ = ["REPOSITORY", "data", "profiles"]
