"""Writes the scheduler and RNG parity fixtures read by Tests/DiffusionTests.

Produces, under Tests/Fixtures/schedulers/:
  rng.safetensors        torch.randn / torch.rand outputs of seeded CPU generators: several seeds and
                         sizes (1, 7, 15, 16, 17, 1000, 4x4x64x64) and successive calls on one generator.
  trajectories.safetensors
                         per case: the scheduler's timesteps, sigmas (where it has them), alphas_cumprod,
                         init_noise_sigma, the initial latents and the sample after every step of a
                         full sampling loop driven by a deterministic fake model; and one add_noise call
                         (clean ramp, seeded noise, the 6th timestep) with its result.
  timesteps.safetensors  scheduler.timesteps after set_timesteps(n) for every class x config (SD-1.x with each
                         spacing, Karras, cosine, PNDM with PRK) x n in 1 ... 999 that diffusers accepts.
  cases.json             per case: the diffusers class, the full scheduler config as diffusers serialises
                         it (Python json, so -Infinity may appear), eta, seed, steps, latent shape.

The fake model is  model_output = 0.1 * model_input + 0.05 * sin(t / 100)  (float32), evaluated on
scheduler.scale_model_input(latents, t); the loop is the diffusers pipeline loop, with the same
generator used for the initial latents and for every noise draw inside scheduler.step.

Pinned versions (Tools/reference/requirements.txt): torch 2.13.0+cpu, numpy 2.4.6, safetensors 0.8.0,
diffusers 0.35.2. Run from the repository root:
    /work/main/.venv/bin/python Tools/reference/make_scheduler_fixtures.py
"""

import inspect
import json
import math
import pathlib

import torch
from safetensors.torch import save_file

import diffusers
from diffusers import (
    DDIMScheduler,
    DDPMScheduler,
    DPMSolverMultistepScheduler,
    EulerAncestralDiscreteScheduler,
    EulerDiscreteScheduler,
    PNDMScheduler,
)

OUTPUT = pathlib.Path(__file__).resolve().parents[2] / "Tests" / "Fixtures" / "schedulers"
SHAPE = (1, 4, 5, 7)  # 140 elements: exercises torch.randn's non-multiple-of-16 tail
STEPS = 20  # unless a case says otherwise

SD1 = dict(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", num_train_timesteps=1000,
           steps_offset=1, clip_sample=False, set_alpha_to_one=False, skip_prk_steps=True)
SD2V = dict(SD1, prediction_type="v_prediction")
COSINE = dict(beta_schedule="squaredcos_cap_v2", num_train_timesteps=1000)

# (name, class, config overrides, eta[, steps])
CASES = [
    ("ddpm_sd1", DDPMScheduler, SD1, 0.0),
    ("ddpm_sd2v", DDPMScheduler, SD2V, 0.0),
    ("ddpm_cosine", DDPMScheduler, COSINE, 0.0),
    ("ddim_sd1", DDIMScheduler, SD1, 0.0),
    ("ddim_sd1_eta", DDIMScheduler, SD1, 0.7),
    ("ddim_sd2v_trailing", DDIMScheduler, dict(SD2V, timestep_spacing="trailing"), 0.0),
    ("ddim_cosine_linspace", DDIMScheduler, dict(COSINE, timestep_spacing="linspace"), 0.0),
    ("ddim_sd1_threshold", DDIMScheduler, dict(SD1, thresholding=True, sample_max_value=1.5), 0.0),
    ("pndm_sd1", PNDMScheduler, SD1, 0.0),
    ("pndm_sd2v", PNDMScheduler, SD2V, 0.0),
    ("pndm_cosine_prk", PNDMScheduler, COSINE, 0.0),
    ("euler_sd1", EulerDiscreteScheduler, SD1, 0.0),
    ("euler_sd1_leading", EulerDiscreteScheduler, dict(SD1, timestep_spacing="leading"), 0.0),
    ("euler_sd1_karras", EulerDiscreteScheduler, dict(SD1, use_karras_sigmas=True), 0.0),
    ("euler_sd2v", EulerDiscreteScheduler, SD2V, 0.0),
    ("euler_cosine_trailing", EulerDiscreteScheduler, dict(COSINE, timestep_spacing="trailing"), 0.0),
    ("euler_ancestral_sd1", EulerAncestralDiscreteScheduler, SD1, 0.0),
    ("euler_ancestral_sd2v", EulerAncestralDiscreteScheduler, SD2V, 0.0),
    ("euler_ancestral_cosine", EulerAncestralDiscreteScheduler, COSINE, 0.0),
    ("dpmpp_2m_sd1", DPMSolverMultistepScheduler, SD1, 0.0),
    ("dpmpp_2m_sd1_karras", DPMSolverMultistepScheduler, dict(SD1, use_karras_sigmas=True), 0.0),
    ("dpmpp_2m_sd2v", DPMSolverMultistepScheduler, SD2V, 0.0),
    ("dpmpp_2m_cosine", DPMSolverMultistepScheduler, COSINE, 0.0),
    ("dpmpp_2m_sd1_sigma_min_leading", DPMSolverMultistepScheduler,
     dict(SD1, final_sigmas_type="sigma_min", timestep_spacing="leading"), 0.0),
    ("dpmpp_3m_sd1", DPMSolverMultistepScheduler, dict(SD1, solver_order=3), 0.0),
    # Class defaults: linear betas 0.0001-0.02 (and clip_sample=True for DDIM/DDPM).
    ("ddim_linear_defaults", DDIMScheduler, {}, 0.0),
    ("euler_ancestral_linear_defaults", EulerAncestralDiscreteScheduler, {}, 0.0),
    ("dpmpp_2m_linear_defaults", DPMSolverMultistepScheduler, {}, 0.0),
    # Zero terminal SNR (Lin et al. 2023) with trailing spacing and v-prediction, the recommended combination.
    ("ddim_zero_snr", DDIMScheduler, dict(SD2V, rescale_betas_zero_snr=True, timestep_spacing="trailing"), 0.0),
    ("euler_zero_snr", EulerDiscreteScheduler, dict(SD2V, rescale_betas_zero_snr=True, timestep_spacing="trailing"), 0.0),
    ("euler_ancestral_zero_snr", EulerAncestralDiscreteScheduler,
     dict(SD2V, rescale_betas_zero_snr=True, timestep_spacing="trailing"), 0.0),
    ("euler_sd1_sigma_min", EulerDiscreteScheduler, dict(SD1, final_sigmas_type="sigma_min"), 0.0),
    ("dpmpp_2m_heun_sd1", DPMSolverMultistepScheduler, dict(SD1, solver_type="heun"), 0.0),
    ("dpmpp_2m_cosine_clipped", DPMSolverMultistepScheduler, dict(COSINE, lambda_min_clipped=-5.1), 0.0),
    # Fewer than 15 steps: lower_order_final also lowers the second-to-last step.
    ("dpmpp_3m_sd1_10_steps", DPMSolverMultistepScheduler,
     dict(SD1, solver_order=3, final_sigmas_type="sigma_min"), 0.0, 10),
    ("dpmpp_2m_sd1_karras_8_steps", DPMSolverMultistepScheduler,
     dict(SD1, use_karras_sigmas=True, euler_at_final=True), 0.0, 8),
]


def fake_model(model_input: torch.Tensor, t) -> torch.Tensor:
    c = 0.05 * math.sin(float(t) / 100.0)
    return 0.1 * model_input + c


def run_case(index, name, cls, overrides, eta, steps=STEPS):
    accepted = inspect.signature(cls.__init__).parameters
    scheduler = cls(**{k: v for k, v in overrides.items() if k in accepted})
    scheduler.set_timesteps(steps)
    seed = 1000 + index
    # add_noise at the 6th timestep, before the loop (diffusers looks the timestep up in its schedule).
    clean = torch.linspace(-1.0, 1.0, math.prod(SHAPE)).reshape(SHAPE)
    noise = torch.randn(SHAPE, generator=torch.Generator("cpu").manual_seed(seed + 500))
    noise_timestep = scheduler.timesteps[5:6]
    noised = scheduler.add_noise(clean, noise, noise_timestep)
    generator = torch.Generator("cpu").manual_seed(seed)
    latents = torch.randn(SHAPE, generator=generator) * scheduler.init_noise_sigma
    initial = latents.clone()
    trajectory = []
    for t in scheduler.timesteps:
        model_input = scheduler.scale_model_input(latents, t)
        output = fake_model(model_input, t)
        kwargs = {}
        if "generator" in inspect.signature(scheduler.step).parameters:
            kwargs["generator"] = generator
        if cls is DDIMScheduler:
            kwargs["eta"] = eta
        latents = scheduler.step(output, t, latents, **kwargs).prev_sample
        trajectory.append(latents.clone())
    tensors = {
        f"{name}.timesteps": scheduler.timesteps.to(torch.float32).clone(),
        f"{name}.alphas_cumprod": scheduler.alphas_cumprod.to(torch.float32).contiguous(),
        f"{name}.init_noise_sigma": torch.tensor([float(scheduler.init_noise_sigma)], dtype=torch.float32),
        f"{name}.initial": initial.contiguous(),
        f"{name}.trajectory": torch.stack(trajectory).contiguous(),
        f"{name}.add_noise.clean": clean.contiguous(),
        f"{name}.add_noise.noise": noise.contiguous(),
        f"{name}.add_noise.timestep": noise_timestep.to(torch.float32).clone(),
        f"{name}.add_noise.result": noised.contiguous(),
    }
    if hasattr(scheduler, "sigmas") and cls not in (DDPMScheduler, DDIMScheduler, PNDMScheduler):
        tensors[f"{name}.sigmas"] = torch.as_tensor(scheduler.sigmas, dtype=torch.float32).contiguous()
    config = {k: v for k, v in dict(scheduler.config).items()}
    if "_use_default_values" in config:  # a set in diffusers: sort for reproducible output
        config["_use_default_values"] = sorted(config["_use_default_values"])
    config["_class_name"] = cls.__name__
    config["_diffusers_version"] = diffusers.__version__
    case = dict(name=name, class_name=cls.__name__, config=config, eta=eta, seed=seed, steps=steps,
                shape=list(SHAPE))
    return case, tensors


def rng_fixtures():
    tensors = {}
    for seed in (0, 42, 1234567, 2**32 + 5):
        for size in (1, 7, 15, 16, 17, 1000):
            g = torch.Generator("cpu").manual_seed(seed)
            tensors[f"randn.{seed}.{size}"] = torch.randn(size, generator=g)
    g = torch.Generator("cpu").manual_seed(2024)
    tensors["randn.2024.4x4x64x64"] = torch.randn((4, 4, 64, 64), generator=g)
    # Successive calls on one generator: the state (and the cached double normal) carries over.
    g = torch.Generator("cpu").manual_seed(7)
    parts = [torch.randn(3, generator=g), torch.randn(5, generator=g), torch.randn(40, generator=g),
             torch.randn(1, generator=g), torch.randn((2, 3, 5), generator=g), torch.randn(2, generator=g)]
    tensors["randn.7.sequence"] = torch.cat([p.flatten() for p in parts])
    g = torch.Generator("cpu").manual_seed(99)
    tensors["rand.99.37"] = torch.rand(37, generator=g)
    tensors["rand.99.then_randn.20"] = torch.randn(20, generator=g)
    return {k: v.contiguous() for k, v in tensors.items()}


TIMESTEP_STEP_COUNTS = (1, 2, 3, 4, 7, 10, 13, 25, 50, 100, 250, 999)
TIMESTEP_CONFIGS = {
    "sd1": SD1,
    "sd1_trailing": dict(SD1, timestep_spacing="trailing"),
    "sd1_linspace": dict(SD1, timestep_spacing="linspace"),
    "sd1_leading": dict(SD1, timestep_spacing="leading"),
    "sd1_karras": dict(SD1, use_karras_sigmas=True),
    "cosine": COSINE,
    "cosine_prk": dict(COSINE, skip_prk_steps=False),
}
TIMESTEP_CLASSES = (DDPMScheduler, DDIMScheduler, PNDMScheduler, EulerDiscreteScheduler,
                    EulerAncestralDiscreteScheduler, DPMSolverMultistepScheduler)


def timestep_fixtures():
    """set_timesteps(n) for every class x config x step count that diffusers accepts."""
    tensors = {}
    for cls in TIMESTEP_CLASSES:
        accepted = inspect.signature(cls.__init__).parameters
        for config_name, overrides in TIMESTEP_CONFIGS.items():
            for steps in TIMESTEP_STEP_COUNTS:
                scheduler = cls(**{k: v for k, v in overrides.items() if k in accepted})
                try:
                    scheduler.set_timesteps(steps)
                except Exception:  # e.g. more steps than the schedule allows
                    continue
                timesteps = scheduler.timesteps.to(torch.float32)
                if len(timesteps) == 0 or timesteps.min() < 0 or timesteps.max() >= 1000:
                    continue  # diffusers would fail on the first step; Swift rejects these up front
                tensors[f"{cls.__name__}.{config_name}.{steps}"] = timesteps.clone()
    return tensors


def main() -> None:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    save_file(rng_fixtures(), str(OUTPUT / "rng.safetensors"))
    save_file(timestep_fixtures(), str(OUTPUT / "timesteps.safetensors"))
    cases, tensors = [], {}
    for index, (name, cls, overrides, eta, *steps) in enumerate(CASES):
        case, case_tensors = run_case(index, name, cls, overrides, eta, *steps)
        cases.append(case)
        tensors.update(case_tensors)
    save_file(tensors, str(OUTPUT / "trajectories.safetensors"))
    with open(OUTPUT / "cases.json", "w") as f:
        json.dump(cases, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
