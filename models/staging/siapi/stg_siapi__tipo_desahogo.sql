select
    cast(dshgo_tipo_desahogo as integer) as tipo_desahogo_id,
    descripcion as tipo_desahogo,
    cast(dshgo_tipo_desahogo as integer) between 1 and 4 as es_desahogo_valido,
from ({{ catalogo_vigente('siapi_tipo_desahogo', 'dshgo_tipo_desahogo') }})
