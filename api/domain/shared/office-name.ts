/** A township's 整治办 by the township's name: 青溪镇整治办, 城东街道整治办 (a 街道's office is no 镇整治办). */
export const officeOf = (townshipName: string) => `${townshipName}整治办`;
