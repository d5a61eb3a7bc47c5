{{/* Release-scoped name: "<release>-proactive", or the release name when it already says proactive. */}}
{{- define "proactive.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "proactive.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Selector labels of one service; call with (dict "root" $ "component" "tracker"). */}}
{{- define "proactive.selectorLabels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Image of one service, registry and repository joined by exactly one "/" (none without a
registry); call with (dict "root" $ "repository" "proactive-tracker"). */}}
{{- define "proactive.image" -}}
{{- $registry := trimSuffix "/" .root.Values.image.registry -}}
{{- $repository := trimPrefix "/" .repository -}}
{{- $tag := .root.Values.image.tag | default .root.Chart.AppVersion -}}
{{- if $registry -}}
{{- printf "%s/%s:%s" $registry $repository $tag -}}
{{- else -}}
{{- printf "%s:%s" $repository $tag -}}
{{- end -}}
{{- end -}}

{{/* The dead-letter topic of each of a service's topics; call with (dict "root" $ "svc" .Values.tracker). */}}
{{- define "proactive.deadLetterTopics" -}}
{{- $suffix := .root.Values.dapr.pubsub.deadLetterSuffix -}}
{{- $topics := list -}}
{{- range .svc.topics }}{{ $topics = append $topics (printf "%s%s" . $suffix) }}{{ end -}}
{{- join "," $topics -}}
{{- end -}}

{{/* "app=topic,topic;app=topic": what each app may subscribe to (its topics and their dead-letter
topics, so that it can read and replay what it dropped). */}}
{{- define "proactive.subscriptionScopes" -}}
{{- $scopes := list -}}
{{- range $component := list "tracker" "notifier" -}}
{{- $svc := index $.Values $component -}}
{{- $scopes = append $scopes (printf "%s=%s,%s" $svc.appId (join "," $svc.topics) (include "proactive.deadLetterTopics" (dict "root" $ "svc" $svc))) -}}
{{- end -}}
{{- join ";" $scopes -}}
{{- end -}}

{{/* "app=topic;app=topic": what each app may publish (what it publishes, and the dead-letter topics
of its subscriptions: daprd publishes a dropped event there with the app's own scopes). */}}
{{- define "proactive.publishingScopes" -}}
{{- $scopes := list -}}
{{- range $component := list "tracker" "notifier" -}}
{{- $svc := index $.Values $component -}}
{{- $topics := concat $svc.publishes (list (include "proactive.deadLetterTopics" (dict "root" $ "svc" $svc))) -}}
{{- $scopes = append $scopes (printf "%s=%s" $svc.appId (join "," $topics)) -}}
{{- end -}}
{{- join ";" $scopes -}}
{{- end -}}

{{/* Checksum of the rendered Dapr resources: daprd reads them when it starts, so a change must
roll the pods (the annotation changes the pod template). */}}
{{- define "proactive.daprChecksum" -}}
{{- $rendered := list -}}
{{- range $file := list "dapr-configuration.yaml" "dapr-pubsub.yaml" "dapr-resiliency.yaml" "dapr-secretstore.yaml" -}}
{{- $rendered = append $rendered (include (print $.Template.BasePath "/" $file) $) -}}
{{- end -}}
{{- join "\n---\n" $rendered | sha256sum -}}
{{- end -}}

{{/* ServiceAccount name of one service; call with (dict "root" $ "component" "tracker"). */}}
{{- define "proactive.serviceAccountName" -}}
{{- if .root.Values.serviceAccount.create -}}
{{- printf "%s-%s" (include "proactive.fullname" .root) .component -}}
{{- else -}}
default
{{- end -}}
{{- end -}}

{{/*
The API's authentication (Proactive:Auth): an OpenID Connect issuer and/or named API keys given by
the SHA-256 of each key (a hash, not the key: safe in values). With neither, every API answers 401
(anonymous access only with auth.mode None, explicitly).
*/}}
{{- define "proactive.authEnv" -}}
- name: Proactive__Auth__Mode
  value: {{ .Values.auth.mode | quote }}
{{- with .Values.auth.jwt.authority }}
- name: Proactive__Auth__Jwt__Authority
  value: {{ . | quote }}
{{- end }}
{{- with .Values.auth.jwt.audience }}
- name: Proactive__Auth__Jwt__Audience
  value: {{ . | quote }}
{{- end }}
{{- range .Values.auth.apiKeys }}
- name: {{ printf "Proactive__Auth__ApiKeys__%s__Hash" .name | quote }}
  value: {{ .hash | quote }}
- name: {{ printf "Proactive__Auth__ApiKeys__%s__Scopes" .name | quote }}
  value: {{ join " " .scopes | quote }}
{{- end }}
{{- end }}
