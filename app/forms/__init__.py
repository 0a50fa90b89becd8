"""The form engine: XLSForm/XForm forms with ODK semantics."""
