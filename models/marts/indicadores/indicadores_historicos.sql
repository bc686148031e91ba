{{ config(materialized='view') }}
-- Module IV input: one period per year for every indicator, on every aggregation level.
-- A view over int_indicadores__historicos, where the logic lives: other models reuse that intermediate model (layers flow one
-- way: intermediate models never read a mart), and this mart is what people, exports and the ML read.
select * from {{ ref('int_indicadores__historicos') }}
