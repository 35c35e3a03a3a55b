"""`sidepay estimate`: fit the model to the real or a simulated world, write the estimates."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from sidepay.commands._common import MirrorOption, PaymentOption, real_panel

STAGES = ("formation", "maintenance", "both")


def simulated_panel(
    seed: int, reps: int = 2, periods: int = 75, world: Any = None
) -> tuple[Any, dict[str, float]]:
    """A panel of a simulated world (default: the default world), and its true formation
    parameters.

    The simulated world knows sigma (``truth_sigma``) and has no CINC columns: they are set
    so that the capability share ``cinc_patron / (cinc_patron + cinc_client)`` equals it.
    Its threat is in model units, so the true tau is 1; v is reported as v x (mean x),
    since the estimator normalises x = 1.
    """
    from sidepay.estimate.mapping import group_label
    from sidepay.sim.engine import simulate
    from sidepay.sim.world import default_world

    world = default_world() if world is None else world
    panel = simulate(world, periods=periods, reps=reps, seed=seed).panel
    panel = panel.assign(cinc_patron=panel["truth_sigma"], cinc_client=1.0 - panel["truth_sigma"])
    prm = world.params
    truth: dict[str, float] = {"rho": prm.rho, "omega": prm.omega, "tau": 1.0, "beta": prm.beta}
    ks = {float(g.k) for g in world.great_powers}
    if len(ks) == 1:
        truth["k"] = ks.pop()
    vx = (
        (panel["truth_v"] * panel["truth_x"])
        .groupby([group_label(p, y) for p, y in zip(panel["patron"], panel["year"], strict=True)])
        .mean()
    )
    truth.update({f"v[{g}]": float(v) for g, v in vx.items()})
    return panel, truth


def maintenance_truth(world: Any, names: tuple[str, ...]) -> dict[str, float]:
    """The true maintenance parameters of a simulated world (``offer_rate`` or params)."""
    return {
        n: float(world.offer_rate if n == "offer_rate" else getattr(world.params, n)) for n in names
    }


def _fit_maintenance_on(scheduler: str | None, workers: int | None, panel: Any, **kw: Any) -> Any:
    """``fit_maintenance`` with its parameter points in this process (no scheduler, at most
    one worker), on a local process pool, or on a Dask scheduler: the sweeps' executors.
    Every executor gives the same bytes (common random numbers, same seed)."""
    from sidepay.estimate.smm import fit_maintenance

    if scheduler is None and (workers or 1) == 1:
        return fit_maintenance(panel, **kw)
    from sidepay.sim.sweep_executors import open_executor

    with open_executor(scheduler, workers) as (executor, _):
        return fit_maintenance(panel, executor=executor, **kw)


def estimate_command(
    out: Annotated[Path, typer.Option("--out", help="Output folder (created or written into).")],
    world: Annotated[str, typer.Option("--world", help="real or simulated.")] = "real",
    stage: Annotated[
        str, typer.Option("--stage", help="formation, maintenance or both.")
    ] = "formation",
    seed: Annotated[str, typer.Option("--seed", help="Seed (>= 0) of the simulated world.")] = "1",
    payment: PaymentOption = "side_payment",
    profile: Annotated[
        bool, typer.Option("--profile/--no-profile", help="Profile intervals of rho, omega, beta.")
    ] = True,
    reps: Annotated[
        str, typer.Option("--reps", help="Maintenance: simulated worlds per parameter point.")
    ] = "20",
    starts: Annotated[
        str, typer.Option("--starts", help="Maintenance: seeded starts of the minimiser.")
    ] = "5",
    states: Annotated[
        str | None,
        typer.Option("--states", help="--world simulated: small states (default: the world's)."),
    ] = None,
    workers: Annotated[
        str | None,
        typer.Option(
            "--workers",
            help="Maintenance: local processes for the parameter points (default: 1, serial).",
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler", help="Maintenance: Dask scheduler tcp://HOST:PORT for the points."
        ),
    ] = None,
    mirror: MirrorOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the estimates as JSON.")] = False,
) -> int:
    """Estimate the theory's parameters; write estimates.json, estimates.csv (formation),
    maintenance.csv and world.toml (maintenance) to OUT."""
    from sidepay.atomic import write_text_atomic
    from sidepay.options import parse_choice, parse_count, parse_mirror, parse_seed
    from sidepay.outpaths import check_out_dir

    world = parse_choice(world, ("real", "simulated"), "world")
    stage = parse_choice(stage, STAGES, "stage")
    seed_n = parse_seed(seed)
    reps_n = parse_count(reps, "reps", low=1, high=10_000)
    starts_n = parse_count(starts, "starts", low=1, high=1000)
    states_n = None if states is None else parse_count(states, "states", low=2)
    workers_n = None if workers is None else parse_count(workers, "workers", low=1, high=1024)
    if (workers_n is not None or scheduler) and stage == "formation":
        from sidepay.errors import bad_param

        raise bad_param(
            "workers" if workers_n else "scheduler", "applies to --stage maintenance or both"
        )
    if states_n is not None and world != "simulated":
        from sidepay.errors import bad_param

        raise bad_param("states", "applies to --world simulated only")
    out_dir = check_out_dir(out, marker=None)
    mirror_p = parse_mirror(mirror) if world == "real" else None
    from sidepay.estimate.formation import FormationModel
    from sidepay.sim.world import default_world

    sim_world = default_world()
    if states_n is not None:
        sim_world = sim_world.updated({"small_states.n": states_n})
    truth: dict[str, float] | None = None
    if world == "real":
        panel = real_panel(mirror_p)
        model = FormationModel(payment)
    else:
        panel, truth = simulated_panel(seed_n, world=sim_world)
        model = FormationModel(payment, transform="level")
    result: dict[str, Any] = {"world": world, "stage": stage, "seed": seed_n}
    fit: Any = None
    if stage in ("formation", "both"):
        fit = model.fit(panel)
        if profile:
            for name in ("rho", "omega", "beta"):
                fit.profile_interval(name)
        formation = fit.to_dict()
        if truth is not None:
            for name, value in truth.items():
                if name in formation["params"]:
                    formation["params"][name]["truth"] = value
        result["formation"] = formation
        write_text_atomic(out_dir / "estimates.csv", fit.summary.to_csv(float_format="%.10g"))
    m_fit: Any = None
    if stage in ("maintenance", "both"):
        from sidepay.estimate.smm import DEFAULT_PARAMS, world_toml

        m_fit = _fit_maintenance_on(
            scheduler or None, workers_n, panel, seed=seed_n, payment=payment,
            world=sim_world, reps=reps_n, starts=starts_n,
            divergence_unit="range" if world == "real" else 1.0,
        )  # fmt: skip
        maintenance = m_fit.to_dict()
        if world == "simulated":
            for name, value in maintenance_truth(sim_world, DEFAULT_PARAMS).items():
                maintenance["params"][name]["truth"] = value
        result["maintenance"] = maintenance
        write_text_atomic(out_dir / "maintenance.csv", m_fit.summary.to_csv(float_format="%.10g"))
        write_text_atomic(out_dir / "world.toml", world_toml(m_fit))
    text = json.dumps(result, indent=2, sort_keys=True, default=str)
    write_text_atomic(out_dir / "estimates.json", text + "\n")
    if as_json:
        typer.echo(text)
        return 0
    if fit is not None:
        typer.echo(repr(fit))
        typer.echo(fit.summary.round(4).to_string())
        if fit.out_of_range_:
            typer.echo("outside the theory's ranges: " + ", ".join(fit.out_of_range_))
    if m_fit is not None:
        typer.echo(repr(m_fit))
        typer.echo(m_fit.summary.to_string(float_format=lambda x: f"{x:.4g}"))
        typer.echo(
            f"{m_fit.n_at_best_} of {m_fit.starts_} starts reached the best objective; "
            f"J = {m_fit.j_stat_ if m_fit.j_stat_ is None else round(m_fit.j_stat_, 1)}"
        )
        typer.echo(f"wrote {out_dir / 'world.toml'}")
    typer.echo(f"wrote {out_dir / 'estimates.json'}")
    return 0
