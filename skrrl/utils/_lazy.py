"""Lazy attribute loading for subpackage ``__init__`` modules.

Keeps ``import skrrl.<subpackage>`` cheap: a public name is imported from its
private module only when first used.
"""

import importlib


def lazy_exports(package, mapping):
    """Build ``__getattr__``/``__dir__`` for a package from ``{name: module}``.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    mapping : dict of str to str
        Public name to the private module (relative, e.g. ``"._phase"``).

    Returns
    -------
    getattr_, dir_ : callables
        To be assigned to the package's ``__getattr__`` and ``__dir__``.
    """

    def __getattr__(name):
        if name not in mapping:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module = importlib.import_module(mapping[name], package)
        return getattr(module, name)

    def __dir__():
        return sorted(mapping)

    return __getattr__, __dir__
