{{ config(materialized='view') }}
-- IMSS indicators per registro patronal (nominative), one row per (indicador, periodo, cve_registro).
-- A view over int_imss__indicadores_nominativos, where the logic lives: other models reuse that intermediate model (layers flow one
-- way: intermediate models never read a mart), and this mart is what people, exports and the ML read.
select * from {{ ref('int_imss__indicadores_nominativos') }}
