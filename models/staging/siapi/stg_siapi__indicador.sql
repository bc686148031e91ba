select
    cast(indicador_id as integer) as indicador_id,
    cast(submateria_id as integer) as submateria_id,
    ind_inciso as inciso,
    ind_fundamento as fundamento,
    ind_descripcion as descripcion,
from ({{ catalogo_vigente('siapi_indicador', 'indicador_id') }})
