"""The door's machinery: the call and its checks, the action table, parameters, context."""
