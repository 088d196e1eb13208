class Token:
    pass


class Doc:
    pass


class _DocModule:
    Doc = Doc


doc = _DocModule()
