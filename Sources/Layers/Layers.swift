// Placeholder until the Layers module lands; see issue 4.
