"""The ``ilike`` lookup: SQL ``ILIKE`` with the caller's own ``%`` wildcards.

Zou filters ``name`` with ILIKE, so ``?name=sh%`` lists every name starting
with "sh", whatever its case. Django's ``iexact`` escapes the wildcards, hence
this lookup.
"""

from django.db.models import CharField, Lookup, TextField


class ILike(Lookup):
    lookup_name = "ilike"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        params = (*lhs_params, *rhs_params)
        if connection.vendor == "postgresql":
            return f"{lhs}::text ILIKE {rhs}", params
        # SQLite's LIKE is case-insensitive for ASCII letters.
        return f"{lhs} LIKE {rhs}", params


CharField.register_lookup(ILike)
TextField.register_lookup(ILike)
