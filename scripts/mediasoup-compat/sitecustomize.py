# mediasoup 3.8.4 bundles a gyp that imports container ABCs from `collections`,
# which Python 3.10 removed. Alias them back from `collections.abc` for the build only.
import collections
import collections.abc

for _name in ("MutableSet", "Mapping", "MutableMapping", "Sequence", "Iterable", "Callable"):
    if not hasattr(collections, _name):
        setattr(collections, _name, getattr(collections.abc, _name))
