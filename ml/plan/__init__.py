"""The inspection plan (issue 19): per office, the workplaces that maximise the expected violations found
under capacity, exclusions and coverage rules, with a random exploration share; compared with a random plan
and with top-k by `riesgo`. Inputs in `entradas`, rules in `reglas`, the solver in `optimizar`, the
comparison in `evaluar`, the exports in `salidas`."""
