/**
 * The labels a blue-green release carries (set by the program on every object of a colour's Helm
 * release, and on the Services it owns), shared by the program and the pack.
 */
export const COLOUR_LABEL = "delivery.example.com/colour";
export const APP_LABEL = "delivery.example.com/app";
/** On the program's Services: `active` routes the app's traffic, `preview` the colour being verified. */
export const ROUTE_LABEL = "delivery.example.com/route";
