export * from "./namespace";
export * from "./release";
