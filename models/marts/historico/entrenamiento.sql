-- depends_on: {{ ref('indicadores') }}
-- depends_on: {{ ref('dne_campos') }}
-- The training table (Module IV), point in time (issue 16; the default for training and evaluation):
-- one row per inspection x submateria whose inputs are what was published before the inspection date
-- (int_historico__imputacion_puntual: ENOE quarters and IMSS months by their publication lag, IMSS as the
-- mean of the 12 months published before the date, nothing back-filled) and whose worker count is the
-- one known on that date (int_historico__atributos_fechados). An input with nothing published yet is NULL.
-- Columns and keys are those of marts.entrenamiento_manual (macro tabla_entrenamiento).
{{ tabla_entrenamiento(ref('int_historico__imputacion_puntual'), ref('int_historico__atributos_fechados')) }}
