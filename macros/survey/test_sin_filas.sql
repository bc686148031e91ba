{#- Generic data test: the model has no rows (e.g. ENOE p4a codes without a SCIAN 2018 mapping). Used with
    severity warn, so every row is reported in the run's log (and counted in run_results) without
    stopping the build. -#}
{% test sin_filas(model) %}
    select * from {{ model }}
{% endtest %}
