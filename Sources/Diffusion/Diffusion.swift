// The Diffusion module: schedulers, noise, UNet, VAE, pipelines (issue 6).
