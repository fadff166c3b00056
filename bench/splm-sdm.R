# splm's SDM with two-way fixed effects on the files bench/spatial-scale.ts writes:
# panel.csv (id, year, y, x1, x2) and w.csv (i,j,w triplets of flow's 10-NN W, row-standardised).
# Run: Rscript bench/splm-sdm.R DIR [fit-only]   (prints rho and the seconds of each step)
# W x by period as in flow's export (splm has no Durbin term of its own); effects by
# spdep-style impacts with 1000 draws. splm lags the demeaned y in two-way models, so its
# rho differs from flow's (Elhorst's lag-then-demean) by design.
suppressMessages({ library(splm); library(spdep); library(Matrix) })
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]
t0 <- proc.time()[["elapsed"]]
d <- read.csv(file.path(dir, "panel.csv"))
tr <- read.csv(file.path(dir, "w.csv"), colClasses = c("character", "character", "numeric"))
ids <- unique(d$id)
n <- length(ids)
W <- sparseMatrix(i = match(tr$i, ids), j = match(tr$j, ids), x = tr$w, dims = c(n, n))
lw <- mat2listw(W, style = "W")
d <- d[order(d$year, match(d$id, ids)), ]
for (v in c("x1", "x2")) d[[paste0("W_", v)]] <- unlist(lapply(split(d[[v]], d$year), function(x) as.vector(W %*% x)))
t1 <- proc.time()[["elapsed"]]
m <- spml(y ~ x1 + x2 + W_x1 + W_x2, data = d, index = c("id", "year"), listw = lw,
          model = "within", effect = "twoways", lag = TRUE, spatial.error = "none")
t2 <- proc.time()[["elapsed"]]
if (!identical(args[2], "fit-only")) im <- impacts(m, listw = lw, time = length(unique(d$year)), R = 1000)
t3 <- proc.time()[["elapsed"]]
cat(sprintf("rho %.6f\nread %.1f s, spml %.1f s, impacts %.1f s, total %.1f s\n",
            coef(m)[["lambda"]], t1 - t0, t2 - t1, t3 - t2, t3 - t0))
