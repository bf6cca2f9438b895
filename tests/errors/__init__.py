"""Bad input of every origin ends in a clear ATHError: a user's mistakes, hostile arguments and
server answers, traversal paths, error mapping and ATHError.origin."""
