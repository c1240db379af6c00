export * from "./cookie";
export * from "./invitation";
export * from "./password";
export * from "./password-change";
export * from "./session";
export * from "./sign-in";
