"""UnionPress: the engine behind a trade union's publicity site (load → validate → link → publish → bodies → pages → outputs → audit)."""

__version__ = "0.1.0"
