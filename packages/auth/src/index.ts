export * from "./cookie";
export * from "./password";
export * from "./session";
export * from "./sign-in";
