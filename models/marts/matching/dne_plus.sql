{{ config(materialized='view') }}
-- DNE_plus (manual, Module II): the DNE universe, one row per centro_trabajo_id, completed from IMSS.
-- A view over int_dne__centros_trabajo, where the logic lives: other models reuse that intermediate model (layers flow one
-- way: intermediate models never read a mart), and this mart is what people, exports and the ML read.
select * from {{ ref('int_dne__centros_trabajo') }}
