{{/* Common labels of every object of the chart. */}}
{{- define "egts.labels" -}}
app.kubernetes.io/name: egts
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* The pod selector. */}}
{{- define "egts.selector" -}}
app.kubernetes.io/name: egts
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "egts.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}
