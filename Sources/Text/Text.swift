// The Text module: tokenizers and text encoders (issue 6).
