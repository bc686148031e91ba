-- depends_on: {{ ref('indicadores') }}
-- depends_on: {{ ref('dne_campos') }}
-- The training table under the manual's historical rule (spec 002 4.5.4; `--historico manual`): every
-- inspection gets the indicators of its calendar year (ENOE: that year's first quarter; IMSS: that year's
-- mean, 2019's for earlier inspections; int_historico__imputacion_inspeccion) and today's workplace
-- attributes. It looks ahead (values published after the inspection); kept to measure how much.
-- Columns and keys are those of marts.entrenamiento (macro tabla_entrenamiento).
{{ tabla_entrenamiento(ref('int_historico__imputacion_inspeccion')) }}
