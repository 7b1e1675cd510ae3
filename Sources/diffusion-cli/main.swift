print("diffusion-cli")
