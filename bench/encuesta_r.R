# The ENOE indicators of one quarter with R's `survey` package, the way the original SIDIL computed
# them, as the peer of int_enoe__indicadores in bench/bench_encuesta_r.py.
#
# Usage: Rscript encuesta_r.R <personas.csv> <niveles.csv> <indicadores> <estimaciones.csv> <tiempos.csv>
#   personas.csv     the survey universe of the quarter (one row per person) plus one placeholder row
#                    (en_universo = 0) per PSU of the full sample without universe persons, so every
#                    stratum has all its PSUs (DOMAIN.md: never filter the sample before the design).
#   niveles.csv      the ENOE aggregation levels (agregacion, usa_geo2, usa_scian2, usa_scian3, usa_tamanio).
#   indicadores      comma-separated indicator codes; brecha_gen is the ratio of women's to men's mean
#                    income, every other code is a weighted mean of its column.
# Domains are subsets of the design (subset()), never filtered data: the variance sees every PSU.
# Output: one row per indicator, level and domain (valor, cv in percent) and the seconds per indicator.

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 5) stop("uso: encuesta_r.R personas.csv niveles.csv indicadores estimaciones.csv tiempos.csv")
suppressPackageStartupMessages(library(survey))
# Single-PSU strata: their PSU total is centred on the grand mean of the linearised totals, which is 0,
# not on their own mean (the rule of the SQL macro razon_linealizada).
options(survey.lonely.psu = "adjust")

texto <- c(estrato = "character", upm = "character", geo2 = "character", scian2018_2 = "character",
           scian2018_3 = "character")
personas <- read.csv(args[1], colClasses = texto, na.strings = "")
niveles <- read.csv(args[2], stringsAsFactors = FALSE)
indicadores <- strsplit(args[3], ",", fixed = TRUE)[[1]]

# Gender gap as a smooth function of four totals: (Y_w / N_w) / (Y_m / N_m), linearised by svycontrast.
personas$nacional <- 1L
personas$y_mujer <- ifelse(personas$sexo %in% 2, personas$ingreso_brecha, 0)
personas$x_mujer <- ifelse(personas$sexo %in% 2, 1, 0)
personas$y_hombre <- ifelse(personas$sexo %in% 1, personas$ingreso_brecha, 0)
personas$x_hombre <- ifelse(personas$sexo %in% 1, 1, 0)

diseno <- svydesign(ids = ~upm, strata = ~estrato, weights = ~peso, nest = TRUE, data = personas)

brecha <- function(formula, design, ...) {
    totales <- svytotal(~y_mujer + x_mujer + y_hombre + x_hombre, design)
    svycontrast(totales, quote((y_mujer / x_mujer) / (y_hombre / x_hombre)))
}

dimensiones <- function(nivel) {
    d <- c("geo2", "scian2018_2", "scian2018_3", "cat_tamanio")[
        c(nivel$usa_geo2, nivel$usa_scian2, nivel$usa_scian3, nivel$usa_tamanio) == 1]
    if (length(d) == 0) "nacional" else d
}

filas <- list()
tiempos <- data.frame(indicador = character(0), segundos = numeric(0), cpu_segundos = numeric(0))
for (indicador in indicadores) {
    inicio <- proc.time()
    if (indicador == "brecha_gen") {
        objetivo <- quote(en_universo == 1 & poblacion_objetivo == 1 & !is.na(ingreso_brecha) & sexo %in% c(1, 2))
        formula <- ~y_mujer  # svyby passes it on; brecha() names its own totals
        fun <- brecha
    } else {
        objetivo <- bquote(en_universo == 1 & poblacion_objetivo == 1 & !is.na(.(as.name(indicador))))
        formula <- as.formula(paste0("~", indicador))
        fun <- svymean
    }
    # subset() evaluates its condition on the design's rows (it drops rows but keeps every stratum's PSU
    # count), so the conditions are built as expressions.
    dominio <- eval(bquote(subset(diseno, .(objetivo))))
    # An indicator without data in the quarter (sindicato outside Q1) has no estimate, as in the SQL.
    for (i in seq_len(if (nrow(dominio) > 0) nrow(niveles) else 0)) {
        dims <- dimensiones(niveles[i, ])
        # Persons without a dimension the level uses are outside its domains (as in the SQL).
        completos <- Reduce(function(a, b) call("&", a, b),
                            lapply(dims, function(d) call("!", call("is.na", as.name(d)))))
        en_nivel <- eval(bquote(subset(dominio, .(completos))))
        # Domains with only women or only men have no gap (NaN), and a gap whose variance is 0 up to
        # rounding has a NaN SE: both are compared with the SQL in Python, so their warnings are muffled.
        r <- withCallingHandlers(
            svyby(formula, as.formula(paste0("~", paste(dims, collapse = "+"))), en_nivel, fun,
                  vartype = "cv", keep.var = TRUE, drop.empty.groups = TRUE, na.rm = TRUE),
            warning = function(w) if (grepl("NaNs produced", conditionMessage(w))) invokeRestart("muffleWarning")
        )
        fila <- data.frame(indicador = indicador, agregacion = niveles$agregacion[i],
                           geo2 = NA_character_, scian2018_2 = NA_character_, scian2018_3 = NA_character_,
                           cat_tamanio = NA_integer_, valor = as.numeric(coef(r)),
                           cv = 100 * as.numeric(cv(r)), stringsAsFactors = FALSE)
        for (d in setdiff(dims, "nacional")) fila[[d]] <- r[[d]]
        filas[[length(filas) + 1]] <- fila
    }
    # Wall and CPU seconds: on a shared machine the CPU time shows the work without the waiting.
    usado <- proc.time() - inicio
    tiempos[nrow(tiempos) + 1, ] <- list(indicador, usado[["elapsed"]], usado[["user.self"]] + usado[["sys.self"]])
    message(sprintf("R survey: %s en %.1f s (%.1f s de CPU)", indicador, usado[["elapsed"]],
                    usado[["user.self"]] + usado[["sys.self"]]))
}

write.csv(if (length(filas)) do.call(rbind, filas) else data.frame(indicador = character(0)), args[4],
          row.names = FALSE, na = "")
write.csv(tiempos, args[5], row.names = FALSE)
