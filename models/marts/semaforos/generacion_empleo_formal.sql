{{ config(materialized='view') }}
-- Formal-employment generation per state and quarter against the Semáforos' goal, from two labelled series.
-- A view over int_semaforos__generacion_empleo_formal, where the logic lives: other models reuse that intermediate model (layers flow one
-- way: intermediate models never read a mart), and this mart is what people, exports and the ML read.
select * from {{ ref('int_semaforos__generacion_empleo_formal') }}
