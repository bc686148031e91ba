"""Module III: the consultation interface over the risk matrix (MPR), served by `sidil serve`."""
