// Generated from Schemas/*.json by the test suite (CUSTOMUI_RECORD=1 swift test): do not edit.
// The engine validates its own documents with these schemas; embedding them means the binary needs
// no files at run time, and BuiltinSchemasTests keeps them equal to the files in Schemas/.

/// The JSON Schemas of the documents the engine reads, as shipped in `Schemas/`.
public enum BuiltinSchemaText {
    /// `Schemas/prompt.schema.json`.
    public static let prompt = #"""
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "$id": "https://customui.dev/schemas/prompt.schema.json",
          "title": "Prompt file",
          "description": "A prompt (the seeds' PromptsData): messages with {{variable}} placeholders, variable definitions with defaults and input components, and model settings.",
          "type": "object",
          "required": ["messages", "settings"],
          "properties": {
            "id": { "type": "string", "description": "The prompt's id (a UUID in the library)." },
            "name": { "type": "string", "minLength": 1 },
            "description": { "type": "string" },
            "userId": { "type": "string" },
            "createdAt": { "type": "string", "format": "date-time" },
            "updatedAt": { "type": "string", "format": "date-time" },
            "messages": {
              "type": "array",
              "minItems": 1,
              "items": { "$ref": "#/$defs/message" }
            },
            "variableDefaults": {
              "type": "array",
              "items": { "$ref": "#/$defs/variable" }
            },
            "settings": { "$ref": "#/$defs/settings" },
            "tools": {
              "description": "Tool definitions, keyed by tool name.",
              "type": "object"
            }
          },
          "additionalProperties": false,
          "$defs": {
            "message": {
              "type": "object",
              "required": ["role", "content"],
              "properties": {
                "role": { "enum": ["system", "user", "assistant"] },
                "content": { "type": "string", "description": "The message text; may contain {{variable}} placeholders." },
                "metadata": {
                  "type": "object",
                  "properties": {
                    "files": { "type": "array" },
                    "resources": { "type": "array" }
                  }
                }
              },
              "additionalProperties": false
            },
            "variable": {
              "type": "object",
              "required": ["name", "defaultValue"],
              "properties": {
                "name": {
                  "type": "string",
                  "pattern": "^[A-Za-z_][A-Za-z0-9_]*$",
                  "description": "The name used in {{name}} placeholders."
                },
                "defaultValue": { "type": "string" },
                "required": { "type": "boolean", "description": "A run needs a non-empty value (CustomUI extension; default false)." },
                "customComponent": { "$ref": "#/$defs/customComponent" }
              },
              "additionalProperties": false
            },
            "customComponent": {
              "type": "object",
              "required": ["type"],
              "properties": {
                "type": { "enum": ["textarea", "toggle", "radio", "checkbox", "select", "number"] },
                "options": { "type": "array", "items": { "type": "string" } },
                "allowOther": { "type": "boolean" },
                "toggleValues": {
                  "type": "array",
                  "prefixItems": [{ "type": "string" }, { "type": "string" }],
                  "items": false,
                  "minItems": 2
                },
                "min": { "type": "number" },
                "max": { "type": "number" },
                "step": { "type": "number", "exclusiveMinimum": 0 }
              },
              "additionalProperties": false,
              "allOf": [
                {
                  "if": { "properties": { "type": { "enum": ["radio", "checkbox", "select"] } } },
                  "then": { "required": ["options"], "properties": { "options": { "minItems": 1 } } }
                }
              ]
            },
            "settings": {
              "type": "object",
              "required": ["model_id"],
              "properties": {
                "model_id": { "type": "string", "minLength": 1, "description": "Required: the AI model to use." },
                "temperature": { "type": "number", "minimum": 0, "maximum": 2 },
                "max_tokens": { "type": "integer", "minimum": 1 },
                "top_p": { "type": "number", "minimum": 0, "maximum": 1 },
                "top_k": { "type": "integer", "minimum": 0 },
                "stream": { "type": "boolean" },
                "output_format": { "type": "string" },
                "tool_choice": { "type": "string" },
                "parallel_tool_calls": { "type": "boolean" },
                "tools": { "type": "array", "items": { "type": "string" } },
                "reasoning_effort": { "type": "string" },
                "verbosity": { "type": "string" }
              },
              "additionalProperties": true
            }
          }
        }
        """#

    /// `Schemas/definition.schema.json`.
    public static let definition = #"""
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "$id": "https://customui.dev/schemas/definition.schema.json",
          "title": "Custom UI definition",
          "description": "A custom UI as stored in the library (the seeds' prompt_custom_uis row).",
          "type": "object",
          "required": [
            "name"
          ],
          "if": {
            "not": {
              "properties": {
                "component_type": {
                  "const": "json-schema"
                }
              },
              "required": [
                "component_type"
              ]
            }
          },
          "then": {
            "required": [
              "component_code"
            ]
          },
          "properties": {
            "id": {
              "$ref": "#/$defs/uuid"
            },
            "user_id": {
              "$ref": "#/$defs/uuid"
            },
            "prompt_id": {
              "type": "string",
              "minLength": 1
            },
            "name": {
              "type": "string",
              "minLength": 1
            },
            "description": {
              "type": [
                "string",
                "null"
              ]
            },
            "component_code": {
              "type": "string"
            },
            "component_type": {
              "enum": [
                "react",
                "template",
                "json-schema"
              ],
              "default": "react"
            },
            "props_schema": {
              "description": "A JSON Schema (2020-12) for the props the component takes.",
              "anyOf": [
                {
                  "$ref": "https://json-schema.org/draft/2020-12/schema"
                },
                {
                  "type": "null"
                }
              ]
            },
            "default_props": {
              "type": [
                "object",
                "null"
              ]
            },
            "execution_mode": {
              "enum": [
                "auto-run",
                "auto-run-one-shot",
                "manual-with-hidden-variables",
                "manual-with-visible-variables",
                "manual"
              ],
              "default": "manual"
            },
            "auto_submit": {
              "type": "boolean",
              "default": false
            },
            "show_variables": {
              "type": "boolean",
              "default": true
            },
            "layout_config": {
              "type": [
                "object",
                "null"
              ]
            },
            "styling_config": {
              "type": [
                "object",
                "null"
              ]
            },
            "is_public": {
              "type": "boolean",
              "default": false
            },
            "is_featured": {
              "type": "boolean",
              "default": false
            },
            "use_count": {
              "type": "integer",
              "minimum": 0,
              "default": 0
            },
            "version": {
              "type": "integer",
              "minimum": 1,
              "default": 1
            },
            "parent_version_id": {
              "anyOf": [
                {
                  "$ref": "#/$defs/uuid"
                },
                {
                  "type": "null"
                }
              ]
            },
            "status": {
              "enum": [
                "draft",
                "active",
                "archived"
              ],
              "default": "draft"
            },
            "validated": {
              "type": "boolean",
              "default": false
            },
            "validation_errors": {
              "type": [
                "object",
                "array",
                "null"
              ]
            },
            "created_at": {
              "$ref": "#/$defs/timestamp"
            },
            "updated_at": {
              "$ref": "#/$defs/timestamp"
            },
            "published_at": {
              "anyOf": [
                {
                  "$ref": "#/$defs/timestamp"
                },
                {
                  "type": "null"
                }
              ]
            },
            "last_used_at": {
              "anyOf": [
                {
                  "$ref": "#/$defs/timestamp"
                },
                {
                  "type": "null"
                }
              ]
            }
          },
          "additionalProperties": false,
          "$defs": {
            "uuid": {
              "type": "string",
              "format": "uuid"
            },
            "timestamp": {
              "type": "string",
              "format": "date-time"
            }
          }
        }
        """#

    /// `Schemas/stream-event.schema.json`.
    public static let streamEvent = #"""
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "$id": "https://customui.dev/schemas/stream-event.schema.json",
          "title": "Stream event",
          "description": "One NDJSON line of the streaming protocol (seed 001): an `event` name and its `data` payload.",
          "type": "object",
          "required": [
            "event",
            "data"
          ],
          "properties": {
            "event": {
              "enum": [
                "chunk",
                "status_update",
                "tool_event",
                "completion",
                "data",
                "error",
                "broker",
                "heartbeat",
                "end"
              ]
            },
            "data": {
              "type": "object"
            }
          },
          "allOf": [
            {
              "if": {
                "$ref": "#/$defs/is-chunk"
              },
              "then": {
                "properties": {
                  "data": {
                    "$ref": "#/$defs/chunk"
                  }
                }
              }
            },
            {
              "if": {
                "$ref": "#/$defs/is-status_update"
              },
              "then": {
                "properties": {
                  "data": {
                    "$ref": "#/$defs/status_update"
                  }
                }
              }
            },
            {
              "if": {
                "$ref": "#/$defs/is-tool_event"
              },
              "then": {
                "properties": {
                  "data": {
                    "$ref": "#/$defs/tool_event"
                  }
                }
              }
            },
            {
              "if": {
                "$ref": "#/$defs/is-completion"
              },
              "then": {
                "properties": {
                  "data": {
                    "$ref": "#/$defs/completion"
                  }
                }
              }
            },
            {
              "if": {
                "$ref": "#/$defs/is-error"
              },
              "then": {
                "properties": {
                  "data": {
                    "$ref": "#/$defs/error"
                  }
                }
              }
            },
            {
              "if": {
                "$ref": "#/$defs/is-broker"
              },
              "then": {
                "properties": {
                  "data": {
                    "$ref": "#/$defs/broker"
                  }
                }
              }
            },
            {
              "if": {
                "$ref": "#/$defs/is-heartbeat"
              },
              "then": {
                "properties": {
                  "data": {
                    "$ref": "#/$defs/heartbeat"
                  }
                }
              }
            },
            {
              "if": {
                "$ref": "#/$defs/is-end"
              },
              "then": {
                "properties": {
                  "data": {
                    "$ref": "#/$defs/end"
                  }
                }
              }
            }
          ],
          "$defs": {
            "is-chunk": {
              "properties": {
                "event": {
                  "const": "chunk"
                }
              }
            },
            "is-status_update": {
              "properties": {
                "event": {
                  "const": "status_update"
                }
              }
            },
            "is-tool_event": {
              "properties": {
                "event": {
                  "const": "tool_event"
                }
              }
            },
            "is-completion": {
              "properties": {
                "event": {
                  "const": "completion"
                }
              }
            },
            "is-error": {
              "properties": {
                "event": {
                  "const": "error"
                }
              }
            },
            "is-broker": {
              "properties": {
                "event": {
                  "const": "broker"
                }
              }
            },
            "is-heartbeat": {
              "properties": {
                "event": {
                  "const": "heartbeat"
                }
              }
            },
            "is-end": {
              "properties": {
                "event": {
                  "const": "end"
                }
              }
            },
            "chunk": {
              "type": "object",
              "required": [
                "text"
              ],
              "properties": {
                "text": {
                  "type": "string"
                }
              }
            },
            "status_update": {
              "type": "object",
              "required": [
                "status"
              ],
              "properties": {
                "status": {
                  "type": "string"
                },
                "system_message": {
                  "type": [
                    "string",
                    "null"
                  ]
                },
                "user_message": {
                  "type": [
                    "string",
                    "null"
                  ]
                },
                "metadata": {
                  "type": [
                    "object",
                    "null"
                  ]
                }
              }
            },
            "tool_event": {
              "type": "object",
              "required": [
                "event",
                "call_id",
                "tool_name"
              ],
              "properties": {
                "event": {
                  "type": "string"
                },
                "call_id": {
                  "type": "string"
                },
                "tool_name": {
                  "type": "string"
                },
                "message": {
                  "type": [
                    "string",
                    "null"
                  ]
                },
                "data": true
              }
            },
            "completion": {
              "type": "object",
              "required": [
                "status"
              ],
              "properties": {
                "status": {
                  "type": "string"
                },
                "output": true,
                "total_usage": {
                  "type": [
                    "object",
                    "null"
                  ]
                },
                "timing_stats": {
                  "type": [
                    "object",
                    "null"
                  ]
                }
              }
            },
            "error": {
              "type": "object",
              "required": [
                "error_type",
                "message"
              ],
              "properties": {
                "error_type": {
                  "type": "string"
                },
                "message": {
                  "type": "string"
                },
                "user_message": {
                  "type": [
                    "string",
                    "null"
                  ]
                },
                "code": {
                  "type": [
                    "string",
                    "integer",
                    "null"
                  ]
                }
              }
            },
            "broker": {
              "type": "object",
              "required": [
                "broker_id",
                "value"
              ],
              "properties": {
                "broker_id": {
                  "type": "string"
                },
                "value": true,
                "source": {
                  "type": [
                    "string",
                    "null"
                  ]
                }
              }
            },
            "heartbeat": {
              "type": "object",
              "properties": {
                "timestamp": {
                  "type": [
                    "string",
                    "number",
                    "null"
                  ]
                }
              }
            },
            "end": {
              "type": "object",
              "properties": {
                "reason": {
                  "type": [
                    "string",
                    "null"
                  ]
                }
              }
            }
          }
        }
        """#
}
