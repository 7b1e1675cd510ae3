// Placeholder until the Weights module lands; see issue 4.
