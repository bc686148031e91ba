-- Every indicator of the catalog has a national (0_geo0) estimate in the latest period: the matching's last
-- fallback, which guarantees that no CT of the universe is left without a value (DOMAIN.md section 7.3).
-- Returns the catalogued indicators that lack it.
select catalogo.fuente, catalogo.indicador
from {{ ref('indicadores') }} as catalogo
left join {{ ref('indicadores_coyuntura') }} as coyuntura
    on coyuntura.fuente = catalogo.fuente
    and coyuntura.indicador = catalogo.indicador
    and coyuntura.agregacion = '0_geo0'
where coyuntura.indicador is null
