print("diffusion-server")
