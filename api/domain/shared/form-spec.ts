// What a form may hold and what reading one gives: the domain states the first (each endpoint's
// limits), api/http/form-stream.ts reads a body against it.

/** What one endpoint's form may hold. Anything else is refused as soon as it is seen. */
export interface FormSpec {
  /** Text fields, each at most once. */
  fields: ReadonlySet<string>;
  /** Text fields that may come several times (a field photo's photoMeta, one per photo), kept in order in `lists`. */
  repeated?: ReadonlySet<string>;
  /** Text fields accepted and dropped (Open311's attribute[...]); they count against maxFields. */
  ignored?: RegExp;
  /** File fields (photos); several files may share one name. */
  files: ReadonlySet<string>;
  /** The name a resident knows a field by, for messages. */
  label?: (name: string) => string;
  maxFields: number;
  maxFieldBytes: number;
  maxFiles: number;
  maxFileBytes: number;
  /** The whole body. */
  maxBytes: number;
  /**
   * Made once per form read: shown each file's bytes so far (index among the form's files) until
   * it returns null (nothing to refuse) or a message, which refuses the form at once (400).
   */
  fileHead?: () => (index: number, head: Buffer) => string | null | undefined;
}

export interface UploadedFile {
  field: string;
  filename: string;
  data: Buffer;
}

export type FormRead =
  | { ok: true; fields: Record<string, string>; lists: Record<string, string[]>; files: UploadedFile[] }
  /** `fields` holds what was read before the refusal, so a page can show the form again. */
  | { ok: false; status: 400 | 413 | 415; message: string; field?: string; fields: Record<string, string> };
