"""Shared docstring fragments, substituted rather than pasted (imblearn style)."""


class Substitution:
    """Decorator that fills ``{name}`` placeholders of a docstring.

    Parameters
    ----------
    **params : str
        Replacement text for each placeholder.

    Examples
    --------
    >>> from skrrl.utils._docstring import Substitution, _random_state_docstring
    >>> @Substitution(random_state=_random_state_docstring)
    ... def f():
    ...     '''{random_state}'''
    >>> "random_state : int" in f.__doc__
    True
    """

    def __init__(self, **params):
        self.params = params

    def __call__(self, obj):
        if obj.__doc__:
            obj.__doc__ = obj.__doc__.format(**self.params)
        return obj


_random_state_docstring = """\
random_state : int, RandomState instance or None, default=None
        Controls the randomness. Pass an int for reproducible output across
        calls. Global random state (NumPy, torch) is never modified.""".rstrip()

_device_docstring = """device : {"auto", "cpu", "cuda"} or str, default="auto"
        Torch device. ``"auto"`` uses CUDA when available, else the CPU.""".rstrip()

_verbose_docstring = """verbose : int, default=0
        Verbosity: 0 is silent, 1 reports progress.""".rstrip()

_n_jobs_docstring = """n_jobs : int, default=None
        Number of parallel jobs. ``None`` means 1, ``-1`` all processors.""".rstrip()
