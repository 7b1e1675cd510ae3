// Placeholder until the Tensor module lands; see issue 4.
