"""How far could a learner go? For each world folder given (generated with
truth.csv, then `tilsyn rank` and `tilsyn train` run with TILSYN_FRAMES set
to the same folder, as benches/ceiling.sh does), precision in the top 5 % of
ALL sites against truth.csv for:

  rules        the rules scorer's order (rules priority),
  lr_labels    logistic regression fitted on the inspections of the first
               three quarters (the labels tilsyn learns from), inverse-propensity
               weighted, for the strongest of three penalties on the truth,
  offset       the same, anchored on the rules score (its log-odds an offset,
               only departures from it penalised), best of four penalties,
  lr_truth     logistic regression fitted on truth.csv itself for every
               other site: the ceiling of a linear learner on these features,
  gbm_truth    gradient-boosted trees fitted the same way: a non-linear ceiling.

Every model ranks by probability x exposure, as `tilsyn rank` does. The
penalties are chosen on the truth, so lr_labels and offset are optimistic.
Needs numpy, scipy, scikit-learn and polars (pip install).
"""
import sys
import warnings

import numpy as np
import polars as pl
from scipy.optimize import minimize
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

warnings.filterwarnings("ignore")
NOT_FEATURES = {"key", "site_id", "as_of", "company_id", "name", "postcode", "municipality_code",
                "lat", "lon", "sector_code", "smiley", "smiley_red", "risk_group", "region",
                "municipality", "label", "inspection_date", "selection_probability",
                "rules_priority", "exposure"}


def transformed(df, cols=None):
    """The model matrix's transforms: 0/1, decay of ages, log of counts, raw (0 when missing)."""
    out = {}
    for c, t in zip(df.columns, df.dtypes):
        if c in NOT_FEATURES or (cols is not None and c not in cols):
            continue
        v = df[c]
        if t == pl.Boolean:
            x = v.cast(pl.Float64).fill_null(0).to_numpy()
        elif c.endswith("_age_days") or c.startswith("days_since"):
            x = np.where(v.is_null().to_numpy(), 0.0, 0.5 ** (v.fill_null(0).cast(pl.Float64).to_numpy() / 730))
        elif t in (pl.Int64, pl.Int32):
            x = np.log1p(np.maximum(v.fill_null(0).cast(pl.Float64).to_numpy(), 0))
        else:
            x = v.fill_null(0).cast(pl.Float64).to_numpy()
        out[c] = x
    return out


def top(score, truth, k):
    return truth[np.argsort(-score, kind="stable")[:k]].mean()


def world(d):
    ex = pl.read_parquet(f"{d}/frames/features-examples.parquet").sort("inspection_date", "key")
    sites = pl.read_parquet(f"{d}/frames/features-sites.parquet")
    ranked = pl.read_csv(f"{d}/rules.csv", columns=["site_id", "workers_exposed", "priority"],
                         schema_overrides={"workers_exposed": pl.Int64})
    truth = pl.read_csv(f"{d}/truth.csv").select("site_id", "state")
    sites = sites.join(ranked, on="site_id", how="left").join(truth, on="site_id", how="left")
    y_true = (sites["state"] != "none").to_numpy()
    expo = 1 + np.log1p(sites["workers_exposed"].fill_null(0).to_numpy())
    k = int(len(sites) * 0.05)
    fit = ex[: len(ex) * 3 // 4]
    fe = transformed(fit)
    cols = list(fe)
    fs = transformed(sites, set(cols))
    X = np.column_stack([fe[c] for c in cols])
    Xs = np.column_stack([fs[c] for c in cols])
    mu, sd = X.mean(0), X.std(0)
    sd[sd == 0] = 1
    X, Xs = (X - mu) / sd, (Xs - mu) / sd
    y = fit["label"].to_numpy()
    w = np.minimum(1 / np.maximum(fit["selection_probability"].fill_null(1.0).to_numpy(), 1e-3), 20)
    row = {"rules": top(sites["priority"].to_numpy(), y_true, k)}
    row["lr_labels"] = max(
        top(LogisticRegression(C=c, max_iter=3000).fit(X, y, sample_weight=w).predict_proba(Xs)[:, 1] * expo, y_true, k)
        for c in (1e-4, 1e-3, 1e-2))
    r = cols.index("rule_score")
    base = LogisticRegression(C=1e6, max_iter=3000).fit(X[:, [r]], y, sample_weight=w)
    off, off_s = base.decision_function(X[:, [r]]), base.decision_function(Xs[:, [r]])
    best = 0.0
    for lam in (10, 100, 1000, 10000):
        def loss(th):
            p = 1 / (1 + np.exp(-(off + th[0] + X @ th[1:])))
            g = w * (p - y)
            ll = -(w * (y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12))).sum()
            return ll + 0.5 * lam * (th[1:] ** 2).sum(), np.concatenate([[g.sum()], X.T @ g + lam * th[1:]])
        th = minimize(loss, np.zeros(X.shape[1] + 1), jac=True, method="L-BFGS-B").x
        p = 1 / (1 + np.exp(-(off_s + th[0] + Xs @ th[1:])))
        best = max(best, top(p * expo, y_true, k))
    row["offset"] = best
    half = np.arange(len(sites)) % 2 == 0
    lr = LogisticRegression(C=0.1, max_iter=3000).fit(Xs[half], y_true[half])
    row["lr_truth"] = top(lr.predict_proba(Xs)[:, 1] * expo, y_true, k)
    gbm = HistGradientBoostingClassifier(max_iter=200, learning_rate=0.05, max_leaf_nodes=15,
                                         random_state=0).fit(Xs[half], y_true[half])
    row["gbm_truth"] = top(gbm.predict_proba(Xs)[:, 1] * expo, y_true, k)
    return row


def main():
    rows = {d.rstrip("/").split("/")[-1]: world(d) for d in sys.argv[1:]}
    names = list(next(iter(rows.values())))
    print("| world | " + " | ".join(names) + " |")
    print("|---" * (len(names) + 1) + "|")
    for d, r in rows.items():
        print(f"| {d} | " + " | ".join(f"{r[n]:.3f}" for n in names) + " |")
    print("| **mean** | " + " | ".join(f"{np.mean([r[n] for r in rows.values()]):.3f}" for n in names) + " |")


if __name__ == "__main__":
    main()
